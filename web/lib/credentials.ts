// Labels for a connector's credential fields: the words a person would use, taken from the field's description.

/** Longer than this, the description's first phrase is a sentence, not a label. */
const MAX_LABEL = 40;

/**
 * "Personal access token (classic ghp_...) with repo read access." labels its field "Personal access token":
 * the description up to its first bracket, comma or full stop. Without a short one, the field name in words.
 */
export function credentialLabel(field: { name: string; description?: string }): string {
  const phrase = /^[^(,.;:]*/.exec(field.description ?? '')?.[0].trim() ?? '';
  if (phrase.length > 0 && phrase.length <= MAX_LABEL) return phrase;
  const words = field.name.replaceAll(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
