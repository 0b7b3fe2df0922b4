// Built-in phrases for the actions GET /v1/phrases does not cover (approve/reject an
// extension, the callback, 督办), and a fallback for those it does. They go into the
// case's record, so they are in the district's language (zh-CN) whatever the screen's.
export const CANNED: Record<string, string[]> = {
  approve: ['情况属实，同意延期', '请在延期内办结'],
  reject: ['理由不充分，请按期办结', '请先联系群众说明情况'],
  evaluate: ['群众表示满意', '群众表示问题已解决', '群众反映问题仍未解决'],
  supervise: ['群众反映强烈，请加快办理', '已临近时限，请尽快办结', '请于今日内反馈办理情况'],
  close: ['现场核查属实，同意结案'],
  reopen: ['群众反映问题未解决'],
  suspend: ['需等待相关部门配合'],
  resume: ['相关部门已配合，恢复办理'],
  transfer: ['不属于本单位职责'],
  reassign: ['原承办人请假，改由他人办理', '按片区分工改派'],
  claim: ['本人负责此片区，认领办理'],
}
