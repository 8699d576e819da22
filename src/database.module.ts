import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type {
  DatabaseModuleAsyncOptions,
  DatabaseModuleOptions,
} from './config/database-options.interface';
import { DatabaseCoreModule } from './database-core.module';

/**
 * The data layer's Nest module. Import it once with {@link DatabaseModule.forRoot} or
 * {@link DatabaseModule.forRootAsync}; the adapter, the four repositories, health and metrics are
 * then injectable everywhere. A second forRoot/forRootAsync in the same application fails at boot,
 * before any database is opened. Register repositories of your own with
 * {@link DatabaseModule.forFeature}.
 *
 * @example
 * \@Module({ imports: [DatabaseModule.forRoot({ provider: 'sqlite' })] })
 * export class AppModule {}
 */
@Module({})
export class DatabaseModule {
  /**
   * Configures the database from options, each unset one read from the environment
   * (DATABASE_PROVIDER, SUPABASE_URL, …). With no options at all, the environment decides.
   */
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    return { module: DatabaseModule, imports: [DatabaseCoreModule.forRoot(options)] };
  }

  /**
   * Configures the database from options built at boot by `useFactory` (with `inject`),
   * `useClass` or `useExisting` (a {@link DatabaseOptionsFactory}). Throws at once when none of
   * the three is given.
   */
  static forRootAsync<T extends DatabaseModuleOptions>(
    options: DatabaseModuleAsyncOptions<T>,
  ): DynamicModule {
    return { module: DatabaseModule, imports: [DatabaseCoreModule.forRootAsync(options)] };
  }

  /**
   * Registers repositories of your own: each is an `@Injectable()` class taking
   * `@InjectDatabaseAdapter()`, made injectable in the importing module.
   */
  static forFeature(repositories: readonly Type<unknown>[] = []): DynamicModule {
    const providers: Provider[] = [...repositories];
    return { module: DatabaseModule, providers, exports: providers };
  }
}
