import type { NextConfig } from 'next';
import { withPalisadeConfig } from 'palisade/next';

// withPalisadeConfig adds palisade to serverExternalPackages: Next.js must load the native addon
// with Node's own require instead of bundling it.
const nextConfig: NextConfig = withPalisadeConfig({
  // Keep `next dev` from writing an AGENTS.md into the example.
  agentRules: false,
  // The example lives inside the palisade repository, which has its own lockfile.
  turbopack: { root: process.cwd() },
} as NextConfig);

export default nextConfig;
