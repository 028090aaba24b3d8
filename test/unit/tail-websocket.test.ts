import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { acceptKey, CLOSE, encodeFrame, FrameError, FrameReader, isValidKey, OPCODE } from '../../src/api/tail/websocket.js'

const frame = (b0: number, b1: number, ...rest: number[]) => Buffer.from([b0, b1, ...rest])

describe('tail WebSocket frames', () => {
  it('computes the accept key of RFC 6455 §1.3', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
    assert.ok(isValidKey('dGhlIHNhbXBsZSBub25jZQ=='))
    assert.ok(!isValidKey('short'))
    assert.ok(!isValidKey(undefined))
  })

  it('reads masked frames (RFC 6455 §5.7 example) and unmasked ones alike', () => {
    const reader = new FrameReader(1024)
    const masked = frame(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58)
    const unmasked = frame(0x81, 0x05, ...Buffer.from('Hello'))
    const frames = reader.push(Buffer.concat([masked, unmasked]))
    assert.deepEqual(
      frames.map((f) => [f.fin, f.opcode, f.payload.toString()]),
      [
        [true, OPCODE.text, 'Hello'],
        [true, OPCODE.text, 'Hello'],
      ],
    )
  })

  it('waits for the rest of a frame split across chunks, byte by byte', () => {
    const reader = new FrameReader(1024)
    const payload = Buffer.alloc(300, 'x')
    const bytes = Buffer.concat([frame(0x82, 0xfe, 0x01, 0x2c), Buffer.from([1, 2, 3, 4]), payload.map((b, i) => b ^ [1, 2, 3, 4][i & 3]!)])
    const frames = [...bytes].flatMap((b) => reader.push(Buffer.from([b])))
    assert.equal(frames.length, 1)
    assert.equal(frames[0]!.opcode, OPCODE.binary)
    assert.deepEqual(frames[0]!.payload, payload)
  })

  it('refuses what it must not accept, with the close code to send', () => {
    const error = (bytes: Buffer) => {
      try {
        new FrameReader(100).push(bytes)
      } catch (e) {
        return e instanceof FrameError ? e.closeCode : -1
      }
      return 0
    }
    assert.equal(error(frame(0xc1, 0x00)), CLOSE.protocolError, 'RSV1 without an extension')
    assert.equal(error(frame(0x09, 0x00)), CLOSE.protocolError, 'a fragmented ping')
    assert.equal(error(frame(0x89, 0x7e, 0x00, 0x80)), CLOSE.protocolError, 'a ping over 125 bytes')
    assert.equal(error(frame(0x81, 0x7e, 0x01, 0x00)), CLOSE.tooBig, 'a 256-byte frame past a 100-byte limit')
    assert.equal(error(frame(0x81, 0x7f, 0, 0, 0, 1, 0, 0, 0, 0)), CLOSE.tooBig, 'a 64-bit length')
  })

  it('writes unmasked server frames with the three length encodings', () => {
    assert.deepEqual([...encodeFrame(OPCODE.text, Buffer.from('hi'))], [0x81, 2, 0x68, 0x69])
    assert.deepEqual([...encodeFrame(OPCODE.text, Buffer.alloc(126)).subarray(0, 4)], [0x81, 126, 0, 126])
    const big = encodeFrame(OPCODE.text, Buffer.alloc(70_000))
    assert.deepEqual([...big.subarray(0, 10)], [0x81, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70])
    assert.equal(big.length, 70_010)
    const roundTrip = new FrameReader(1 << 20).push(big)
    assert.equal(roundTrip[0]!.payload.length, 70_000)
  })
})
