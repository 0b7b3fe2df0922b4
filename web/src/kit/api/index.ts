// The services' schemas, generated from their OpenAPI documents (npm run gen:api).
import type { components as Dispatch } from './generated/dispatch'
import type { components as Escalation } from './generated/escalation'
import type { components as Intake } from './generated/intake'

export type CaseRead = Dispatch['schemas']['CaseRead']
export type CaseRow = Dispatch['schemas']['CaseRow']
export type CasePage = Dispatch['schemas']['CasePage']
export type CaseCard = Dispatch['schemas']['CaseCard']
export type CaseCardPage = Dispatch['schemas']['CaseCardPage']
export type ExtensionIn = Dispatch['schemas']['ExtensionIn']
export type CaseDetail = Dispatch['schemas']['CaseDetail']
export type TimelineRead = Dispatch['schemas']['TimelineRead']
export type ReasonIn = Dispatch['schemas']['ReasonIn']
export type ResolveIn = Dispatch['schemas']['ResolveIn']
export type PersonRead = Dispatch['schemas']['PersonRead']
export type SignInIn = Dispatch['schemas']['SignInIn']
export type SignInRead = Dispatch['schemas']['SignInRead']
export type SignInConfigRead = Dispatch['schemas']['SignInConfigRead']
export type OidcConfigRead = Dispatch['schemas']['OidcConfigRead']
export type ReporterPhoneRead = Dispatch['schemas']['ReporterPhoneRead']
export type PhrasesList = Dispatch['schemas']['PhrasesList']
export type AttachmentRead = Intake['schemas']['AttachmentRead']
export type CaseAttachmentRead = Intake['schemas']['CaseAttachmentRead']
export type CaseAttachmentsRead = Intake['schemas']['CaseAttachmentsRead']
export type ClockRead = Escalation['schemas']['ClockRead']

// Field work: patrols and household visits (intake).
export type PatrolRead = Intake['schemas']['PatrolRead']
export type PatrolTodayRead = Intake['schemas']['TodayRead']
export type FieldReportIn = Intake['schemas']['FieldReportIn']
export type CaseCreated = Intake['schemas']['CaseCreated']
export type VisitCreate = Intake['schemas']['VisitCreate']
export type VisitRead = Intake['schemas']['VisitRead']
