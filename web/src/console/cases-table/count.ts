/**
 * A search's or a queue's count as the screens show it. The API counts no further than
 * its cap (GET /v1/cases: `total_exact` false; GET /v1/queues: `count_exact` false):
 * then the count is a floor, shown as "10,000+".
 */
export function countLabel(count: number, exact: boolean, locale: string): string {
  const shown = new Intl.NumberFormat(locale).format(count)
  return exact ? shown : `${shown}+`
}
