// ISO 6346 container numbers, checked in the browser before the API checks them again: owner
// code (3 letters), category (U, J or Z), serial (6 digits), check digit.
const letterValues: Record<string, number> = {};
{
  let v = 10;
  for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (v % 11 === 0) v += 1; // multiples of 11 are skipped
    letterValues[ch] = v;
    v += 1;
  }
}

export function normaliseContainer(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '');
}

export function checkDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; ++i) {
    const ch = first10[i];
    const value = /[0-9]/.test(ch) ? Number(ch) : letterValues[ch];
    sum += value * 2 ** i;
  }
  return (sum % 11) % 10;
}

// The message key of what is wrong with `text`, or '' when it is a valid container number.
export function containerProblem(text: string): string {
  const id = normaliseContainer(text);
  if (id === '') return 'container.empty';
  if (!/^[A-Z]{3}[UJZ][0-9]{7}$/.test(id)) return 'container.format';
  if (checkDigit(id.slice(0, 10)) !== Number(id[10])) return 'container.check_digit';
  return '';
}
