// Waiting for a condition instead of for a time: polls until `condition` holds (the test's timeout bounds it), so a
// slow machine makes a test slower, never wrong.
export async function until<T>(condition: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await condition();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
