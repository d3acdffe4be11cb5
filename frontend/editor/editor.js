// Yubin's rich-text editor: Squire (npm squire-rte) over a contenteditable element, with
// DOMPurify cleaning everything that enters it (a paste, a drop, a draft or a quoted message)
// down to what the toolbar can express. Loaded on first use, like the app's other modules
// (ARCHITECTURE.md, "Loaded on first use"); scripts/build.sh puts Squire and DOMPurify beside it.
//
// This cleaning is for the writer's eyes and the editor's sanity. It is not the wall: the
// gateway cleans the HTML again with the reader's allow-list before anything is sent.

import Squire from './squire.mjs';
import './purify.min.js';

const DOMPurify = globalThis.DOMPurify;

// What formatted mail is made of here: the toolbar's marks and blocks, links, images, and
// the tables a pasted page or a quoted message may bring.
const TAGS = ['a', 'b', 'strong', 'i', 'em', 'u', 's', 'strike', 'del', 'span', 'font', 'p', 'div', 'br',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'hr', 'img', 'sub',
  'sup', 'table', 'thead', 'tbody', 'tr', 'td', 'th'];
const ATTRIBUTES = ['href', 'src', 'alt', 'style', 'type', 'start', 'colspan', 'rowspan', 'color'];
// Styles the toolbar can express; Word's and Google Docs' others (fonts, sizes, margins,
// mso-*) are dropped.
const STYLES = ['color', 'background-color', 'font-weight', 'font-style', 'text-decoration', 'text-align'];
// Images that may stay: pasted or quoted pictures as data: URLs. A remote image is never
// loaded while writing and never hot-linked in what is sent.
const IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,/i;
// Styles that only restate a page's defaults: black text and a white background would make
// pasted text unreadable in dark mode, and none of them says anything.
const DEFAULTS = {
  'color': /^(rgb\(0, 0, 0\)|windowtext|inherit|initial)$/i,
  'background-color': /^(rgb\(255, 255, 255\)|transparent|rgba\(0, 0, 0, 0\)|window|inherit|initial)$/i,
  'font-weight': /^(normal|400|inherit|initial)$/i,
  'font-style': /^(normal|inherit|initial)$/i,
  'text-decoration': /^(none|inherit|initial)/i,
};
// Bigger pictures go as attachments, so the message stays within what one send can carry.
const INLINE_IMAGE_BYTES = 1024 * 1024;

// Word writes a list as paragraphs styled `mso-list:l<list> level<n> lfo<k>`, each starting
// with its marker ("·", "o", "1.", "a)") in a span styled `mso-list:Ignore`. Made lists again
// here, before cleaning drops those styles: nested by level, numbered when the marker is a
// number or a letter. Parsed in an inert document: nothing in it runs or loads.
function wordLists(html) {
  if (!/mso-list/i.test(html)) {
    return html;
  }
  const doc = new DOMParser().parseFromString(html, 'text/html');
  let open = []; // the lists being filled, outermost first: { list, level }
  for (const paragraph of [...doc.body.querySelectorAll('p')]) {
    const style = paragraph.getAttribute('style') || '';
    const item = /mso-list:\s*l\d+\s+level(\d+)/i.exec(style);
    if (!item) {
      continue;
    }
    // A list goes on only while its paragraphs follow one another.
    if (open.length > 0 && paragraph.previousElementSibling !== open[0].list) {
      open = [];
    }
    const marker = paragraph.querySelector('[style*="mso-list:Ignore" i], [style*="mso-list: Ignore" i]');
    const numbered = marker !== null && /^\s*([0-9]+|[a-z]{1,4})[.)]/i.test(marker.textContent);
    marker?.remove();
    const level = Number(item[1]);
    while (open.length > 0 && open[open.length - 1].level > level) {
      open.pop();
    }
    let current = open[open.length - 1];
    if (current === undefined || current.level < level) {
      const list = doc.createElement(numbered ? 'ol' : 'ul');
      if (current === undefined) {
        paragraph.before(list);
      } else {
        (current.list.lastElementChild || current.list).append(list);
      }
      current = { list, level };
      open.push(current);
    }
    const entry = doc.createElement('li');
    entry.append(...paragraph.childNodes);
    current.list.append(entry);
    paragraph.remove();
  }
  return doc.body.innerHTML;
}

function purifier(onDropped) {
  const purify = DOMPurify(window);
  purify.addHook('uponSanitizeAttribute', (node, data) => {
    if (data.attrName === 'style') {
      const kept = STYLES.map((name) => [name, node.style.getPropertyValue(name)])
        .filter(([name, value]) => value && !DEFAULTS[name]?.test(value));
      // Google Docs wraps a whole paste in <b style="font-weight:normal">.
      if (node.nodeName === 'B' && /^(normal|400)$/.test(node.style.fontWeight)) {
        node.setAttribute('data-yubin-unwrap', '');
      }
      data.attrValue = kept.map(([name, value]) => `${name}: ${value}`).join('; ');
      data.keepAttr = kept.length > 0;
    } else if (data.attrName === 'src' && !IMAGE.test(data.attrValue)) {
      data.keepAttr = false;
    }
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'IMG' && !node.hasAttribute('src')) {
      node.remove();
      onDropped();
    }
  });
  return (html) => {
    const fragment = purify.sanitize(wordLists(html), {
      ALLOWED_TAGS: TAGS, ALLOWED_ATTR: [...ATTRIBUTES, 'data-yubin-unwrap'], RETURN_DOM_FRAGMENT: true,
    });
    for (const element of fragment.querySelectorAll('[data-yubin-unwrap]')) {
      element.replaceWith(...element.childNodes);
    }
    return fragment;
  };
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// Each block of the selection as `tag` (a heading or a paragraph).
function setBlockTag(editor, tag) {
  editor.modifyBlocks((fragment) => {
    for (const block of [...fragment.children]) {
      if (/^(DIV|P|H[1-6])$/.test(block.nodeName)) {
        const replacement = document.createElement(tag);
        replacement.append(...block.childNodes);
        block.replaceWith(replacement);
      }
    }
    return fragment;
  });
}

// The editor in `root`, starting with `html`. `callbacks`: input(html, text) after every
// change, path(formats) when the caret moves into other formatting, link() for Ctrl/Cmd+K,
// dropped(count) when remote images were left out, attach(file) for a picture too big to
// put inline.
export function create(root, html, callbacks) {
  let dropped = 0;
  const editor = new Squire(root, {
    blockTag: 'DIV',
    sanitizeToDOMFragment: purifier(() => { dropped += 1; }),
  });
  const report = () => {
    if (dropped > 0) {
      callbacks.dropped(dropped);
      dropped = 0;
    }
  };
  if (html) {
    editor.setHTML(html);
    report();
  }
  // The change first, then what was left out of it: the composer's status line is cleared by
  // a change and must keep the notice.
  const changed = () => {
    callbacks.input(editor.getHTML(), root.innerText);
    report();
  };
  editor.addEventListener('input', changed);
  const formats = () => ['B', 'I', 'U', 'S', 'UL', 'OL', 'BLOCKQUOTE', 'H2', 'A']
    .filter((tag) => editor.hasFormat(tag)).join(' ');
  editor.addEventListener('pathChange', () => callbacks.path(formats()));
  for (const key of ['Ctrl-k', 'Meta-k']) {
    editor.setKeyHandler(key, (_, event) => { event.preventDefault(); callbacks.link(); });
  }
  const insertImages = async (files) => {
    for (const file of files) {
      if (file.size > INLINE_IMAGE_BYTES || !IMAGE.test(`data:${file.type};base64,`)) {
        callbacks.attach(file);
      } else {
        editor.insertImage(await readAsDataUrl(file), { alt: file.name || '' });
      }
    }
  };
  editor.addEventListener('pasteImage', (event) => {
    const items = [...event.detail.clipboardData.items].filter((item) => item.type.startsWith('image/'));
    insertImages(items.map((item) => item.getAsFile()).filter(Boolean));
  });
  root.addEventListener('drop', (event) => {
    const files = [...(event.dataTransfer?.files || [])];
    if (files.length > 0 && files.every((file) => file.type.startsWith('image/'))) {
      event.preventDefault();
      event.stopPropagation();
      insertImages(files);
    }
  });
  return {
    html: () => editor.getHTML(),
    text: () => root.innerText,
    focus: () => editor.focus(),
    insertImages: (files) => insertImages([...files]),
    destroy: () => editor.destroy(),
    command: (name, value) => {
      switch (name) {
        case 'bold': editor.hasFormat('B') ? editor.removeBold() : editor.bold(); break;
        case 'italic': editor.hasFormat('I') ? editor.removeItalic() : editor.italic(); break;
        case 'underline': editor.hasFormat('U') ? editor.removeUnderline() : editor.underline(); break;
        case 'strike': editor.hasFormat('S') ? editor.removeStrikethrough() : editor.strikethrough(); break;
        case 'color': editor.setTextColor(value || null); break;
        case 'heading': setBlockTag(editor, editor.hasFormat('H2') ? 'DIV' : 'H2'); break;
        case 'bullets': editor.hasFormat('UL') ? editor.removeList() : editor.makeUnorderedList(); break;
        case 'numbers': editor.hasFormat('OL') ? editor.removeList() : editor.makeOrderedList(); break;
        case 'indent': editor.hasFormat('LI') ? editor.increaseListLevel() : editor.increaseQuoteLevel(); break;
        case 'outdent': editor.hasFormat('LI') ? editor.decreaseListLevel() : editor.decreaseQuoteLevel(); break;
        case 'quote': editor.hasFormat('BLOCKQUOTE') ? editor.decreaseQuoteLevel() : editor.increaseQuoteLevel(); break;
        case 'link': value ? editor.makeLink(value) : editor.removeLink(); break;
        case 'rule': editor.insertHTML('<hr>'); break;
        case 'clear': editor.removeAllFormatting(); break;
        case 'undo': editor.undo(); break;
        case 'redo': editor.redo(); break;
        default: throw new Error(`no such command: ${name}`);
      }
      editor.focus();
      changed();
    },
  };
}

// The module's start, as the app calls every module's (nothing to set up here).
export default async function init() {}
