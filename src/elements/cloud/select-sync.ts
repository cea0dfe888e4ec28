// A <select> the user has touched ignores later changes of its options' `selected` attributes, so
// a value set by code (inspection prefill, a parsed clouds.yaml, a reset) would not show. After
// each render the elements push their state into their selects with this.
export function syncSelects(root: ParentNode, values: Record<string, string>): void {
  for (const [id, value] of Object.entries(values)) {
    const el = root.querySelector<HTMLSelectElement>(`select#${id}`);
    if (el && el.value !== value && [...el.options].some((o) => o.value === value)) el.value = value;
  }
}
