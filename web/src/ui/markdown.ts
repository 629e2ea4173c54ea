// A Markdown subset (emphasis, strong, inline and block code, links, bullet and numbered lists)
// rendered straight to DOM nodes. Text only ever becomes text nodes; a link becomes an <a> only for
// http(s) and mailto targets, and opening it first shows the real target (see onLink). Images are
// never loaded: ![alt](url) renders as a plain link.
import { h, append } from "./dom";

export type LinkHandler = (url: string) => void;

const safeSchemes = /^(https?:|mailto:)/i;

export function renderMarkdown(text: string, onLink: LinkHandler): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith("```")) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.startsWith("```")) code.push(lines[i++]!);
      i++;
      fragment.appendChild(h("pre", {}, h("code", {}, code.join("\n"))));
      continue;
    }
    const bullet = /^\s*[-*+]\s+(.*)$/;
    const numbered = /^\s*\d{1,9}[.)]\s+(.*)$/;
    if (bullet.test(line) || numbered.test(line)) {
      const ordered = numbered.test(line) && !bullet.test(line);
      const pattern = ordered ? numbered : bullet;
      const list = h(ordered ? "ol" : "ul");
      while (i < lines.length && pattern.test(lines[i]!)) {
        const item = h("li");
        append(item, renderInline(pattern.exec(lines[i]!)![1]!, onLink));
        list.appendChild(item);
        i++;
      }
      fragment.appendChild(list);
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && !lines[i]!.startsWith("```") && !bullet.test(lines[i]!) && !numbered.test(lines[i]!)) paragraph.push(lines[i++]!);
    const p = h("p");
    paragraph.forEach((l, n) => {
      if (n > 0) p.appendChild(h("br"));
      append(p, renderInline(l, onLink));
    });
    fragment.appendChild(p);
  }
  return fragment;
}

const inlinePattern = /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(!?\[[^\]]*\]\([^)\s]+\))|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/;

export function renderInline(text: string, onLink: LinkHandler): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let rest = text;
  while (rest.length > 0) {
    const match = inlinePattern.exec(rest);
    if (!match) {
      fragment.appendChild(document.createTextNode(rest));
      break;
    }
    if (match.index > 0) fragment.appendChild(document.createTextNode(rest.slice(0, match.index)));
    const token = match[0];
    if (match[1]) fragment.appendChild(h("code", {}, token.slice(1, -1)));
    else if (match[2]) fragment.appendChild(h("strong", {}, renderInline(token.slice(2, -2), onLink)));
    else if (match[3]) fragment.appendChild(h("em", {}, renderInline(token.slice(1, -1), onLink)));
    else if (match[4]) {
      const link = /^!?\[([^\]]*)\]\(([^)\s]+)\)$/.exec(token)!;
      fragment.appendChild(linkOrText(link[1] || link[2]!, link[2]!, onLink));
    } else fragment.appendChild(linkOrText(token, token, onLink));
    rest = rest.slice(match.index + token.length);
  }
  return fragment;
}

function linkOrText(label: string, target: string, onLink: LinkHandler): Node {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return document.createTextNode(label === target ? label : `${label} (${target})`);
  }
  if (!safeSchemes.test(url.protocol)) return document.createTextNode(label === target ? label : `${label} (${target})`);
  const a = h("a", { href: url.href, rel: "noopener noreferrer", target: "_blank", class: "link", title: url.href }, label);
  a.addEventListener("click", event => {
    event.preventDefault();
    onLink(url.href);
  });
  return a;
}
