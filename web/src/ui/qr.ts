// Draws a QR code on a canvas from the qrcode package's module matrix (no image URLs, no markup).
import QRCode from "qrcode";

export function qrCanvas(text: string, scale = 4): HTMLCanvasElement {
  // A post-quantum card is ~2,000 characters: error correction L keeps it at version 33 (149 modules) instead of 37.
  const qr = QRCode.create(text, { errorCorrectionLevel: text.length > 1000 ? "L" : "M" });
  const size = qr.modules.size;
  const margin = 4;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = (size + 2 * margin) * scale;
  const context = canvas.getContext("2d")!;
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#000";
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (qr.modules.get(y, x)) context.fillRect((x + margin) * scale, (y + margin) * scale, scale, scale);
    }
  }
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "QR code of the link");
  canvas.className = "qr";
  // At least 2 CSS pixels per module (a phone's camera needs them), never wider than the screen (CSS max-width).
  canvas.style.width = `${Math.max(220, (size + 2 * margin) * 2)}px`;
  canvas.style.height = "auto";
  return canvas;
}
