/**
 * Running a request handler safely, as VS Code's own JSON language server does
 * (extensions/json-language-features/server/src/utils/runner.ts): the work starts on the next
 * turn of the event loop, so that notifications already received (an edit, a cancellation) are
 * seen first; a request cancelled before or during the work answers RequestCancelled rather than
 * a stale result; a fault is logged and answered with the fallback, and the server keeps running.
 */
import { type CancellationToken, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';

export type Log = (message: string) => void;

export function formatError(what: string, e: unknown): string {
  if (e instanceof Error) return `omadm: ${what} failed: ${e.stack ?? e.message}`;
  return `omadm: ${what} failed: ${String(e)}`;
}

function cancelled<E>(): ResponseError<E> {
  return new ResponseError<E>(LSPErrorCodes.RequestCancelled, 'Request cancelled');
}

export function runSafe<T, E = void>(log: Log, what: string, fallback: T, token: CancellationToken | undefined, fn: () => T): Promise<T | ResponseError<E>> {
  return new Promise((resolve) => {
    setImmediate(() => {
      if (token?.isCancellationRequested) return resolve(cancelled<E>());
      try {
        const result = fn();
        resolve(token?.isCancellationRequested ? cancelled<E>() : result);
      } catch (e) {
        log(formatError(what, e));
        resolve(fallback);
      }
    });
  });
}

export function runSafeAsync<T, E = void>(log: Log, what: string, fallback: T, token: CancellationToken | undefined, fn: () => Promise<T>): Promise<T | ResponseError<E>> {
  return new Promise((resolve) => {
    setImmediate(() => {
      if (token?.isCancellationRequested) return resolve(cancelled<E>());
      fn().then(
        (result) => resolve(token?.isCancellationRequested ? cancelled<E>() : result),
        (e: unknown) => {
          log(formatError(what, e));
          resolve(fallback);
        },
      );
    });
  });
}
