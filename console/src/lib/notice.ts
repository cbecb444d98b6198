// A message carried from one screen to the next ("your session ended; log in again"): set
// before a navigation, shown once by the screen that follows.
let pending = '';

export function setNotice(messageKey: string): void {
  pending = messageKey;
}

export function takeNotice(): string {
  const n = pending;
  pending = '';
  return n;
}
