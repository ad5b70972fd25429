// Looks up an element the page's HTML is expected to contain.
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page is missing #${id}`);
  return element as T;
}

// Appends one <dt>label</dt><dd></dd> row to a stats list; returns the <dd> to fill in.
export function statRow(list: HTMLDListElement, label: string): HTMLElement {
  const term = document.createElement("dt");
  term.textContent = label;
  const value = document.createElement("dd");
  list.append(term, value);
  return value;
}
