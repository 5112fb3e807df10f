// Small DOM builders the views share: an element with a class and text, and a plain button.

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A type="button" button (never a form's submit); ``onClick`` when given.
export function button(text, className = '', onClick = undefined) {
  const node = el('button', className, text);
  node.type = 'button';
  if (onClick) node.addEventListener('click', onClick);
  return node;
}
