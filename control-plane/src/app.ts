// Builds the control plane fastify app: services, REST routes, the
// WebSocket upgrade router and error handling. It never listens; server.ts
// (or a test) does. Closing the app closes sockets, timers and the db.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { decorateAuth } from './auth/rest-auth';
import type { Config } from './config';
import { ERRORS, VigilError, errorBody, isVigilError } from './errors';
import { agentRoutes } from './routes/agents';
import { alertRoutes } from './routes/alerts';
import { healthRoutes } from './routes/health';
import { queryRoutes } from './routes/query';
import { actionRoutes } from './routes/actions';
import { incidentRoutes } from './routes/incidents';
import { investigationRoutes } from './routes/investigation';
import { tokenRoutes } from './routes/tokens';
import { exceptionRoutes } from './routes/exceptions';
import { fleetHistoryRoutes } from './routes/fleet-history';
import { NatsLink } from './fleet/nats-link';
import { createServices, type Services } from './services';
import { attachUpgradeRouter } from './ws/upgrade-router';

declare module 'fastify' {
  interface FastifyInstance {
    vigil: Services;
  }
}

export interface BuildOptions {
  /** Extra fastify options (server.ts passes logger and https). */
  fastify?: FastifyServerOptions & { https?: { cert: Buffer; key: Buffer } };
  /** Start the agent health monitor timer (default true). */
  healthMonitor?: boolean;
  defaultMetrics?: boolean;
  /**
   * Plug-ins registered after the API (e.g. the dashboard:
   * `(app, config) => registerDashboard(app, { root: config.uiDir })`).
   */
  extend?: AppExtension;
}

export type AppExtension = (app: FastifyInstance, config: Config) => Promise<void>;

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // Unknown fields are errors, not silently dropped: a typo in a filter must not widen a query.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    ...opts.fastify,
  }) as unknown as FastifyInstance;
  const nats = config.natsUrl ? await NatsLink.open(config.natsUrl, (app.log as Logger).child({ module: 'nats' })) : undefined;
  const services = createServices(config, app.log as Logger, { defaultMetrics: opts.defaultMetrics, nats });
  app.decorate('vigil', services);
  try {
    await services.fleet?.start();
  } catch (err) {
    await services.fleet?.close();
    services.db.close();
    throw new VigilError('NATS_UNAVAILABLE', `cannot consume VIGIL_ALERTS: ${(err as Error).message}`, { cause: err });
  }
  decorateAuth(app);

  app.setErrorHandler((err: Error, req, reply) => {
    if ((err as { validation?: unknown }).validation) {
      return reply.code(400).send(errorBody(ERRORS.BAD_REQUEST.code, `${ERRORS.BAD_REQUEST.message}: ${err.message}`));
    }
    if (isVigilError(err)) return reply.code(err.statusCode).send(errorBody(err.code, err.message));
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(ERRORS.BAD_REQUEST.code, err.message));
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send(errorBody(ERRORS.INTERNAL.code, ERRORS.INTERNAL.message));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody(ERRORS.NOT_FOUND.code, `no route ${req.method} ${req.url.split('?')[0]}`)));

  const routeOpts = { services };
  await app.register(healthRoutes, routeOpts);
  await app.register(agentRoutes, routeOpts);
  await app.register(alertRoutes, routeOpts);
  await app.register(queryRoutes, routeOpts);
  await app.register(actionRoutes, routeOpts);
  await app.register(incidentRoutes, routeOpts);
  await app.register(investigationRoutes, routeOpts);
  await app.register(tokenRoutes, routeOpts);
  await app.register(exceptionRoutes, routeOpts);
  await app.register(fleetHistoryRoutes, routeOpts);
  if (opts.extend) await opts.extend(app, config);

  const sockets = attachUpgradeRouter(app.server, {
    tokens: services.tokens,
    log: services.log.child({ module: 'ws' }),
    agent: { ...services, log: services.log.child({ module: 'agent-socket' }) },
    feed: { config, store: services.alerts, bus: services.bus, metrics: services.metrics, log: services.log.child({ module: 'feed' }) },
  });
  if (opts.healthMonitor !== false) services.monitor.start();

  app.addHook('preClose', async () => {
    services.monitor.stop();
    await sockets.close();
  });
  app.addHook('onClose', async () => {
    services.agents.close();
    await services.fleet?.close();
    services.db.close();
  });
  return app;
}
