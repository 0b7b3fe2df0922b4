import { describe, expect, it } from 'vitest'

import { MissingPhoto, withUploadedPhotos } from './photos'

describe('withUploadedPhotos', () => {
  it('uploads each kept photo with its own key, then names them in the action', async () => {
    const kept = new Map([
      ['k-before', new Blob(['b'])],
      ['k-after', new Blob(['a'])],
    ])
    const uploads: string[] = []

    const body = await withUploadedPhotos(
      { note: '已清运', evidence: [], photos: [] },
      [
        { id: 'k-before', kind: 'before' },
        { id: 'k-after', kind: 'after' },
      ],
      (id) => Promise.resolve(kept.get(id) ?? null),
      (_photo, key) => {
        uploads.push(key)
        return Promise.resolve({ url: `https://intake/v1/attachments/${key}.jpg` })
      },
    )

    expect(uploads).toEqual(['k-before', 'k-after'])
    expect(body).toEqual({
      note: '已清运',
      evidence: [],
      photos: [
        { url: 'https://intake/v1/attachments/k-before.jpg', kind: 'before' },
        { url: 'https://intake/v1/attachments/k-after.jpg', kind: 'after' },
      ],
    })
  })

  it('refuses to send the action when a kept photo is gone from the phone', async () => {
    const sending = withUploadedPhotos(
      { note: 'x' },
      [{ id: 'k-gone', kind: 'after' }],
      () => Promise.resolve(null),
      () => Promise.reject(new Error('not reached')),
    )

    await expect(sending).rejects.toBeInstanceOf(MissingPhoto)
  })
})
