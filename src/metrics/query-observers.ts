import type { LoggerService } from '@nestjs/common';
import type { QueryEvent, QueryObserver } from '../adapters/query-observer';

/**
 * A {@link QueryObserver} that logs every statement through a Nest logger at debug level. It asks
 * adapters for statement text; sensitive parameters arrive already redacted. Meant for
 * development: the module only installs it when `logQueries` is on and NODE_ENV is not production.
 */
export class QueryLogObserver implements QueryObserver {
  readonly wantsStatements = true;

  constructor(private readonly logger: LoggerService) {}

  onQuery(event: QueryEvent): void {
    const outcome = event.error ? ` failed (${event.error.name})` : '';
    const statement = event.statement ? `: ${event.statement}` : '';
    const params = event.params && event.params.length > 0 ? ` ${safeJson(event.params)}` : '';
    this.logger.debug?.(
      `${event.operation} ${event.table || '-'} ${event.durationMs.toFixed(1)}ms${outcome}${statement}${params}`,
    );
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserializable]';
  }
}

/**
 * Combines observers into one, as adapters take a single observer: it wants statements when any
 * of them does, and a throwing observer never breaks the others or the query.
 */
export function combineQueryObservers(observers: readonly QueryObserver[]): QueryObserver {
  const wantsStatements = observers.some((observer) => observer.wantsStatements === true);
  return {
    wantsStatements,
    onQuery(event: QueryEvent): void {
      for (const observer of observers) {
        try {
          observer.onQuery(event);
        } catch {
          // An observer must not throw (QueryObserver's contract); if one does, the query and
          // the other observers carry on.
        }
      }
    },
  };
}
