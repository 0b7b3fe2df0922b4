// Photos are compressed on the phone before upload: a 12-megapixel camera picture
// (4-8 MB) becomes a JPEG of a few hundred KB that still shows the site clearly.

export const MAX_SIDE = 1600
export const QUALITY = 0.8

/** The size of a picture scaled down to fit within `max` on its longer side. */
export function fitWithin(width: number, height: number, max = MAX_SIDE): [number, number] {
  if (width <= 0 || height <= 0) return [0, 0]
  const scale = Math.min(1, max / Math.max(width, height))
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))]
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** A JPEG of the picture, at most MAX_SIDE pixels on its longer side. */
export async function compressPhoto(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  const [width, height] = fitWithin(bitmap.width, bitmap.height)
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const context = canvas.getContext('2d')
  if (!context) throw new Error('no 2d canvas')
  context.drawImage(bitmap, 0, 0, width, height)
  bitmap.close()
  const blob = await new Promise<Blob | null>((resolve) => {
    canvas.toBlob(resolve, 'image/jpeg', QUALITY)
  })
  if (!blob) throw new Error('the photo could not be encoded')
  // A small picture may already be smaller than its re-encoding.
  return file.size < blob.size && file.type === 'image/jpeg' ? file : blob
}
