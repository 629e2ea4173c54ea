// Draws a QR code on a canvas from the qrcode package's module matrix (no image URLs, no markup).
import QRCode from "qrcode";

export function qrCanvas(text: string, scale = 4): HTMLCanvasElement {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
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
  return canvas;
}
