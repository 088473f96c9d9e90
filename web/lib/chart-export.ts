// Saves a drawn Plot chart as a standalone SVG file, or as a PNG drawn from that SVG at twice its size.
import { downloadBytes } from './download.ts';

/** Inherited paint properties that may come from the page's CSS (theme variables, currentColor), not the SVG. */
const PAINT = ['fill', 'stroke', 'color', 'font-family', 'font-size', 'font-weight'] as const;

/** The colour the chart is seen on: Plot's SVG is transparent, so the text was chosen for the page behind it. */
function backgroundOf(element: Element): string {
  for (let at: Element | null = element; at; at = at.parentElement) {
    const colour = getComputedStyle(at).backgroundColor;
    if (colour && colour !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(colour)) return colour;
  }
  return 'white';
}

/**
 * A copy of `svg` that renders the same outside the page: elements carry their computed paint where it differs
 * from their parent's, since `var(--accent)` and `currentColor` mean nothing once the file leaves the app's
 * stylesheet.
 */
export function standaloneSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  const computed = new Map<Element, CSSStyleDeclaration>();
  const styleOf = (element: Element) => {
    let style = computed.get(element);
    if (!style) computed.set(element, (style = getComputedStyle(element)));
    return style;
  };
  from.forEach((element, i) => {
    const target = to[i];
    if (!(target instanceof SVGElement) || element.tagName === 'style') return;
    const style = styleOf(element);
    const parent = element === svg ? null : element.parentElement && styleOf(element.parentElement);
    for (const name of PAINT) {
      const value = style.getPropertyValue(name);
      const themed = /var\(|currentcolor/i.test(element.getAttribute(name) ?? '');
      if (!parent || themed || parent.getPropertyValue(name) !== value) target.style.setProperty(name, value);
    }
  });
  copy.style.setProperty('background', backgroundOf(svg));
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  // The size Plot drew at, not the size the page may have squeezed it to (its style has max-width: 100%).
  copy.setAttribute('width', String(svg.width.baseVal.value || svg.clientWidth));
  copy.setAttribute('height', String(svg.height.baseVal.value || svg.clientHeight));
  copy.style.removeProperty('max-width');
  return new XMLSerializer().serializeToString(copy);
}

export function downloadSvg(svg: SVGSVGElement, filename: string): void {
  downloadBytes(new TextEncoder().encode(standaloneSvg(svg)), filename, 'image/svg+xml');
}

/** Draws the standalone SVG on a canvas at `scale`× (sharp on high-density screens) and saves it as PNG. */
export async function downloadPng(svg: SVGSVGElement, filename: string, scale = 2): Promise<void> {
  const text = standaloneSvg(svg);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(image.width * scale);
    canvas.height = Math.ceil(image.height * scale);
    const context = canvas.getContext('2d');
    if (!context)
      throw new Error('This browser cannot draw on a canvas, so the chart cannot be saved as PNG.');
    context.scale(scale, scale);
    context.drawImage(image, 0, 0);
    const blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, 'image/png'));
    if (!blob) throw new Error('The browser could not encode the chart as PNG.');
    downloadBytes(new Uint8Array(await blob.arrayBuffer()), filename, 'image/png');
  } finally {
    URL.revokeObjectURL(url);
  }
}
