{{/* Labels every object carries. */}}
{{- define "gridcase.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: gridcase
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gridcase
{{- end }}

{{/* The labels that select one component's pods: (dict "root" $ "component" "intake" "role" "all"). */}}
{{- define "gridcase.selectorLabels" -}}
app.kubernetes.io/name: gridcase
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- if .role }}
gridcase.io/role: {{ .role }}
{{- end }}
{{- end }}

{{/* A component's labels on its objects, beside gridcase.labels. */}}
{{- define "gridcase.componentLabels" -}}
app.kubernetes.io/component: {{ .component }}
{{- if .role }}
gridcase.io/role: {{ .role }}
{{- end }}
{{- end }}

{{/* A Deployment's name: <release>-<service>, and -worker for the worker role. */}}
{{- define "gridcase.workloadName" -}}
{{- if eq .role "worker" -}}
{{ printf "%s-%s-worker" .root.Release.Name .component | trunc 63 | trimSuffix "-" }}
{{- else -}}
{{ printf "%s-%s" .root.Release.Name .component | trunc 63 | trimSuffix "-" }}
{{- end -}}
{{- end }}

{{/* The roles each service runs as: one process doing all, or API and worker apart. */}}
{{- define "gridcase.roles" -}}
{{- if .Values.roles.split -}}api,worker{{- else -}}all{{- end -}}
{{- end }}

{{/* A service's image. */}}
{{- define "gridcase.image" -}}
{{- $img := .root.Values.image -}}
{{- $tag := default .root.Chart.AppVersion $img.tag -}}
{{- if $img.registry -}}
{{ printf "%s/%s%s:%s" $img.registry $img.repositoryPrefix .component $tag }}
{{- else -}}
{{ printf "%s%s:%s" $img.repositoryPrefix .component $tag }}
{{- end -}}
{{- end }}

{{/* The Secret DATABASE_URL comes from. */}}
{{- define "gridcase.databaseSecret" -}}
{{ default .Values.secrets.existingSecret .Values.database.existingSecret }}
{{- end }}

{{/* A service's consumers (name and topics), as in its consumers.py: files/consumers.yaml. */}}
{{- define "gridcase.consumers" -}}
{{- $all := .root.Files.Get "files/consumers.yaml" | fromYaml -}}
{{- get $all .component | toYaml -}}
{{- end }}

{{/* Whether a Deployment of this role gets a CPU HPA (KEDA replaces it for a combined process). */}}
{{- define "gridcase.cpuHpa" -}}
{{- if and .spec.autoscaling.enabled (eq .role "api") -}}true
{{- else if and .spec.autoscaling.enabled (eq .role "all") (not .root.Values.keda.enabled) -}}true
{{- end -}}
{{- end }}

{{/* The most replicas a worker Deployment may have: the case topics' partition count. */}}
{{- define "gridcase.workerMax" -}}
{{- $max := default .root.Values.topics.partitions .spec.worker.maxReplicas -}}
{{- if gt (int $max) (int .root.Values.topics.partitions) -}}
{{- fail (printf "services.%s.worker.maxReplicas (%v) is above topics.partitions (%v): the extra workers would sit idle; raise the partitions first (docs/deploy-kubernetes.md)" .component $max .root.Values.topics.partitions) -}}
{{- end -}}
{{ $max }}
{{- end }}
