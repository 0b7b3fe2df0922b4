/** A phrase added to what was written (after a full-width semicolon). */
export function withPhrase(text: string, phrase: string): string {
  return text.trim() ? `${text.trim()}；${phrase}` : phrase
}
