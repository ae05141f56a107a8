// GET /trace/v1/scans/flagged (regulator, admin): serialised codes that look copied.
import express, { type Router } from 'express';
import { principalOf } from '@milkchain/auth';
import { AppError, validationFailed } from '@milkchain/http';
import type { Queryable } from '../lineage/queries.ts';
import { DEFAULT_SCAN_THRESHOLDS, flaggedSerials, type ScanThresholds } from './scans.ts';

export function scansRouter(deps: { db: Queryable; thresholds?: ScanThresholds }): Router {
  const thresholds = deps.thresholds ?? DEFAULT_SCAN_THRESHOLDS;
  const router = express.Router();
  router.get('/scans/flagged', async (req, res) => {
    const p = principalOf(res);
    if (!p.roles.includes('regulator') && !p.roles.includes('admin')) {
      throw new AppError('FORBIDDEN', '仅限监管部门 / for regulators only', { requiredRoles: ['regulator', 'admin'] });
    }
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw validationFailed([{ path: 'limit', message: 'limit must be an integer from 1 to 1000' }]);
    res.json({ thresholds, serials: await flaggedSerials(deps.db, thresholds, { limit }) });
  });
  return router;
}
