/** A notification text (hex or base64, maybe in a WAP Push) decoded, with problems at the exact characters. */
import type { Diagnostic } from '../diagnostic.js';
import { type Notification, decode } from './codec.js';
import { type ParsedInput, parseInput } from './input.js';

export interface NotificationAnalysis {
  input: ParsedInput;
  notification: Notification;
  diagnostics: Diagnostic[];
}

export function analyzeNotification(text: string, from = 0): NotificationAnalysis {
  const input = parseInput(text);
  const notification = decode(input.bytes.subarray(input.packageOffset));
  const diagnostics: Diagnostic[] = input.errors.map((e) => ({ start: from + e.start, end: from + e.end, severity: 'error', code: 'pkg0.input', message: e.message }));
  for (const p of notification.problems) {
    const span = textSpan(input, p.offset, p.length, text.length);
    diagnostics.push({ start: from + span.start, end: from + span.end, severity: p.severity, code: p.code, message: p.message });
  }
  return { input, notification, diagnostics };
}

/** The text range of notification bytes [offset, offset + length); the end of the text when past the bytes. */
export function textSpan(input: ParsedInput, offset: number, length: number, textLength: number): { start: number; end: number } {
  const first = input.spans[input.packageOffset + offset];
  const last = input.spans[input.packageOffset + offset + Math.max(1, length) - 1] ?? input.spans[input.spans.length - 1];
  if (!first) {
    const end = input.spans[input.spans.length - 1]?.end ?? textLength;
    return { start: Math.max(0, end - 2), end };
  }
  return { start: first.start, end: Math.max(first.end, last?.end ?? first.end) };
}

/** The notification byte at a text offset, or undefined. */
export function byteAt(input: ParsedInput, offset: number): number | undefined {
  const i = input.spans.findIndex((s) => offset >= s.start && offset < s.end);
  return i < 0 ? undefined : i - input.packageOffset;
}
