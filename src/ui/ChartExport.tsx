// Export a chart as SVG (the recharts SVGs serialized and laid out as on screen, with the title, panel
// titles and legend drawn in) or PNG (that SVG drawn onto a canvas at twice the size). Browser APIs only.
import type { RefObject } from 'react';
import { useState } from 'react';

export interface LegendItem {
  label: string;
  color: string;
  shape?: 'line' | 'dot' | 'band' | 'hollow';
  dashed?: boolean;
}

export interface SvgPart {
  x: number;
  y: number;
  /** Serialized <svg> element. */
  markup: string;
}

export interface SvgText {
  x: number;
  y: number;
  text: string;
  size?: number;
  weight?: number | string;
  color?: string;
}

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';
const TITLE_H = 34;
const LEGEND_ROW = 20;

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Legend entries laid out left to right, wrapping at the width: returns markup and the height used. */
export function legendSvg(items: readonly LegendItem[], width: number, top: number): { markup: string; height: number } {
  let x = 12;
  let y = top + 14;
  const out: string[] = [];
  for (const item of items) {
    const w = 34 + 6 * item.label.length;
    if (x + w > width - 8 && x > 12) {
      x = 12;
      y += LEGEND_ROW;
    }
    const c = escapeXml(item.color);
    const dash = item.dashed ? ' stroke-dasharray="4 3"' : '';
    const mark =
      item.shape === 'dot' ? `<circle cx="${x + 8}" cy="${y - 4}" r="4" fill="${c}"/>`
      : item.shape === 'hollow' ? `<circle cx="${x + 8}" cy="${y - 4}" r="3.5" fill="none" stroke="${c}"/>`
      : item.shape === 'band' ? `<rect x="${x}" y="${y - 9}" width="16" height="10" fill="${c}" fill-opacity="0.25"/>`
      : `<line x1="${x}" y1="${y - 4}" x2="${x + 16}" y2="${y - 4}" stroke="${c}" stroke-width="2.5"${dash}/>`;
    out.push(`${mark}<text x="${x + 22}" y="${y}" font-size="11" fill="#394150">${escapeXml(item.label)}</text>`);
    x += w;
  }
  return { markup: out.join(''), height: items.length ? y - top + 10 : 0 };
}

/** One standalone SVG document: title on top, the parts where they sat on screen, the legend below. */
export function composeSvg(opts: { width: number; height: number; title: string; parts: readonly SvgPart[]; texts?: readonly SvgText[]; legend?: readonly LegendItem[] }): string {
  const { width, height, title, parts, texts = [], legend = [] } = opts;
  const leg = legendSvg(legend, width, TITLE_H + height);
  const total = Math.ceil(TITLE_H + height + leg.height + 8);
  const body = parts.map((p) => p.markup.replace(/^<svg\b/, `<svg x="${p.x}" y="${p.y + TITLE_H}"`)).join('');
  const labels = texts.map((t) => `<text x="${t.x}" y="${t.y + TITLE_H}" font-size="${t.size ?? 12}" font-weight="${t.weight ?? 600}" fill="${escapeXml(t.color ?? '#1d2330')}">${escapeXml(t.text)}</text>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<text x="12" y="22" font-size="15" font-weight="600" fill="#1d2330">${escapeXml(title)}</text>` +
    body + labels + leg.markup + '</svg>'
  );
}

/** Reads the recharts SVGs and the elements marked data-export-text under `root`, positioned relative to it. */
export function chartSvg(root: HTMLElement, title: string, legend: readonly LegendItem[]): { svg: string; width: number; height: number } {
  const box = root.getBoundingClientRect();
  const serializer = new XMLSerializer();
  const parts = [...root.querySelectorAll<SVGSVGElement>('svg.recharts-surface')].map((svg) => {
    const r = svg.getBoundingClientRect();
    const clone = svg.cloneNode(true) as SVGSVGElement;
    clone.removeAttribute('style');
    clone.querySelectorAll('.recharts-tooltip-cursor, .recharts-active-dot').forEach((n) => n.remove());
    return { x: Math.round(r.left - box.left), y: Math.round(r.top - box.top), markup: serializer.serializeToString(clone) };
  });
  const texts = [...root.querySelectorAll<HTMLElement>('[data-export-text]')].map((el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize) || 12;
    return { x: Math.round(r.left - box.left), y: Math.round(r.top - box.top + size), text: el.dataset.exportText || el.textContent || '', size, weight: style.fontWeight, color: style.color };
  });
  const width = Math.ceil(box.width);
  const height = Math.ceil(box.height);
  return { svg: composeSvg({ width, height, title, parts, texts, legend }), width, height };
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Draws an SVG document onto a canvas at `scale` and returns the PNG. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(img.width * scale);
    canvas.height = Math.ceil(img.height * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas.toBlob returned nothing'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

export interface ChartExportProps {
  /** The element holding the chart's SVGs. */
  target: RefObject<HTMLElement | null>;
  title: string;
  legend?: readonly LegendItem[];
  /** File name stem: plasticity-lab-<fileName>.svg / .png */
  fileName: string;
}

export function ChartExport({ target, title, legend = [], fileName }: ChartExportProps) {
  const [error, setError] = useState<string | null>(null);
  const stem = `plasticity-lab-${fileName}`;
  const build = () => {
    if (!target.current) throw new Error('the chart is not on the page');
    return chartSvg(target.current, title, legend).svg;
  };
  const run = async (kind: 'svg' | 'png') => {
    setError(null);
    try {
      const svg = build();
      download(kind === 'svg' ? new Blob([svg], { type: 'image/svg+xml' }) : await svgToPng(svg), `${stem}.${kind}`);
    } catch (e) {
      setError(`Export failed: ${(e as Error).message}`);
    }
  };
  return (
    <span className="chart-export">
      <button type="button" className="ghost" aria-label={`Export ${title} as SVG`} onClick={() => void run('svg')}>
        SVG
      </button>
      <button type="button" className="ghost" aria-label={`Export ${title} as PNG`} onClick={() => void run('png')}>
        PNG
      </button>
      {error ? (
        <span className="export-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
