// The element-plus components the desk uses, imported one by one with their styles, so
// that only the console's lazily loaded chunk carries them (not the phone app's first load).
import 'element-plus/es/components/base/style/css'
import 'element-plus/es/components/config-provider/style/css'
import 'element-plus/es/components/table/style/css'
import 'element-plus/es/components/table-column/style/css'
import 'element-plus/es/components/input/style/css'
import 'element-plus/es/components/button/style/css'
import 'element-plus/es/components/alert/style/css'
import 'element-plus/es/components/form/style/css'
import 'element-plus/es/components/form-item/style/css'
import 'element-plus/es/components/checkbox/style/css'
import 'element-plus/es/components/checkbox-group/style/css'

export {
  ElAlert,
  ElButton,
  ElCheckbox,
  ElCheckboxGroup,
  ElConfigProvider,
  ElForm,
  ElFormItem,
  ElInput,
  ElTable,
  ElTableColumn,
} from 'element-plus'
export { default as elementZhCn } from 'element-plus/es/locale/lang/zh-cn'
export { default as elementEn } from 'element-plus/es/locale/lang/en'
