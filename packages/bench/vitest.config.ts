import { defineConfig } from 'vitest/config';

// Only the pure helpers are tested here; benchmarks never run as timed unit tests (`pnpm bench` runs them).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
  },
});
