// A file input of the page's own: the browser's <input type=file> says "Choose File" and "No file
// chosen" in the browser's language, not the page's, and beside a file the app handed over. The
// input stays (hidden, out of the tab order) for the picker and for tests; a button opens it.
import { html, nothing, type TemplateResult } from 'lit';

export interface FilePickerOptions {
  /** The input's name (and id, when given): tests and labels find it by them. */
  name: string;
  inputId?: string;
  buttonId?: string;
  /** The button's data-action. */
  action: string;
  label: string;
  ariaLabel?: string;
  primary?: boolean;
  onChange: (e: Event) => void;
}

export function filePicker(o: FilePickerOptions): TemplateResult {
  return html`<input type="file" name=${o.name} id=${o.inputId ?? nothing} class="visually-hidden" tabindex="-1" aria-hidden="true"
      @change=${o.onChange} /><button type="button" id=${o.buttonId ?? nothing} class=${o.primary ? 'primary' : nothing}
      data-action=${o.action} aria-label=${o.ariaLabel ?? nothing}
      @click=${(e: Event) => ((e.currentTarget as HTMLElement).previousElementSibling as HTMLInputElement | null)?.click()}>${o.label}</button>`;
}

/** The file a change of the input chose, if any. */
export function chosenFile(e: Event): File | undefined {
  return (e.target as HTMLInputElement).files?.[0];
}
