#!/bin/sh
echo "milkchain: the native Prisma schema engine is not installed here; migrations are applied by 'npm run migrate' (packages/store/src/migrate.ts)." >&2
exit 1
