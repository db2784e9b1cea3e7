// Public surface of behavioural baselines (docs/baseline.md).
export { BaselineEngine, type BaselineFinding, type BaselineStatus } from './baseline-engine';
export { BaselineDb, BaselineDbError } from './baseline-db';
export { parseBaselineFile, BaselineFileError, type BaselineFile } from './baseline-file';
export { DEFAULT_BASELINE, parseThresholds, parseLearningPeriod, BaselineConfigError, levelOf, type BaselineConfig, type Thresholds } from './config';
export { observe, serviceOf, PROFILES, type ProfileName, type Observation } from './observations';
