// How a schema failure reads to a person: one line per issue, naming the field by its path.
import type { z } from 'zod';

export function zodIssueLines(error: z.ZodError, max = 8): string[] {
  return error.issues.slice(0, max).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
}
