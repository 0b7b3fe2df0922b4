import { describe, expect, it } from 'vitest'

import { commandOf, moveCursor, toggled } from './keyboard'

describe('commandOf', () => {
  it('reads j, k, the arrows, Enter, x and ?', () => {
    expect(['j', 'ArrowDown', 'k', 'ArrowUp', 'Enter', 'x', '?'].map((key) => commandOf({ key }))).toEqual([
      'next',
      'next',
      'previous',
      'previous',
      'open',
      'select',
      'help',
    ])
  })

  it('leaves typing in a field and shortcuts with modifiers alone', () => {
    const input = document.createElement('input')
    expect(commandOf({ key: 'j', target: input })).toBeNull()
    expect(commandOf({ key: 'x', ctrlKey: true })).toBeNull()
    expect(commandOf({ key: 'q' })).toBeNull()
    expect(commandOf({ key: 'j', target: document.createElement('div') })).toBe('next')
  })
})

describe('moveCursor', () => {
  it('starts on the first row and stays within the rows', () => {
    expect(moveCursor(-1, 'next', 3)).toBe(0)
    expect(moveCursor(0, 'next', 3)).toBe(1)
    expect(moveCursor(2, 'next', 3)).toBe(2)
    expect(moveCursor(0, 'previous', 3)).toBe(0)
    expect(moveCursor(1, 'previous', 0)).toBe(-1)
  })
})

describe('toggled', () => {
  it('adds a case once and removes it again', () => {
    expect(toggled(['a'], 'b')).toEqual(['a', 'b'])
    expect(toggled(['a', 'b'], 'a')).toEqual(['b'])
  })
})
