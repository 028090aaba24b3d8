/**
 * Reads until `done` holds or 100 reads 50 ms apart have passed, and returns the last value: for
 * what reaches Node moments after a response (trace events, counters). The caller asserts on it.
 */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let value = await read()
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 50))
    value = await read()
  }
  return value
}
