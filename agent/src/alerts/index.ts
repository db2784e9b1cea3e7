// Public surface of alert building.
export { buildAlert, relatedEvents, DEFAULT_RELATED_LIMIT, type RecentActivity, type BuildAlertOptions } from './build-alert';
export { AlertDeduper, dedupKey, DEFAULT_DEDUP_WINDOW_MS, type AlertDeduperOptions } from './deduper';
export { dropAlert, loaderGapAlert, DROP_RULE_ID, type DropStats, type DropAlertOptions, type LoaderGapInfo } from './drop-alert';
export { LEVEL_SCORE, threatFromTags, type EcsThreat } from './threat';
export type { AlertEvent } from './types';
export { storeFaultAlert, storeRecoveredAlert, STORE_FAULT_RULE_ID } from './store-alert';
export { ruleErrorAlert, RULE_ERROR_RULE_ID } from './rule-error-alert';
