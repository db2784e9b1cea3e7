// Forwarded events as an agent sends them in an EventBatch (typed fields).
export const execEvent = (exe: string, agoMs = 0) => ({ timestamp: new Date(Date.now() - agoMs).toISOString(), exec: {}, process: { pid: 7, executable: exe } });
export const openEvent = (path: string) => ({ timestamp: new Date().toISOString(), open: { path }, process: { pid: 7, executable: '/usr/bin/cat' } });
