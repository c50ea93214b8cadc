import { isMainThread, workerData } from 'node:worker_threads';
import { startServer } from './server.js';
import { runValidationWorker } from './worker.js';

// One entry point for both threads: the server, and the validation worker it starts from this
// very file (so that a single bundle serves both).
if (isMainThread) startServer(undefined, { workerFile: __filename });
else if ((workerData as { omadmValidator?: boolean } | undefined)?.omadmValidator) runValidationWorker();
