// The local history stopped taking writes (full disk, I/O error) or took
// them again. Detection and alert streaming go on either way; what is lost
// is the history of the interval, so a responder must know. Filling the
// disk is also a way to erase the record of an attack (T1562).
import { agentAlert, type DropAlertOptions } from './agent-alert';
import type { AlertEvent } from './types';

export const STORE_FAULT_RULE_ID = 'vigil-history-write-failed';
const RULE = { id: STORE_FAULT_RULE_ID, name: 'Vigil cannot write its event history', action: 'history-write-failed', tags: ['attack.defense-evasion', 'attack.t1562'] };
const RECOVERED = { ...RULE, id: 'vigil-history-write-recovered', name: 'Vigil writes its event history again', action: 'history-write-recovered', level: 'medium' as const };

export function storeFaultAlert(fault: { code: string; message: string }, path: string, opts: DropAlertOptions = {}): AlertEvent {
  return agentAlert(RULE,
    `Writes to the event history ${path} fail (${fault.code}: ${fault.message}). Events are still detected and alerts still stream, but the history of this interval is being dropped until writes succeed again${fault.code === 'SQLITE_FULL' ? ': free disk space' : ''}.`,
    { store_fault: fault.code, store_path: path }, opts);
}

export function storeRecoveredAlert(info: { fault: { code: string }; dropped: number }, path: string, opts: DropAlertOptions = {}): AlertEvent {
  return agentAlert(RECOVERED,
    `Writes to the event history ${path} succeed again after ${info.fault.code}; ${info.dropped} events were not stored meanwhile.`,
    { store_fault: info.fault.code, store_path: path, dropped: info.dropped }, opts);
}
