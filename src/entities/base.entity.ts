import { IsISO8601, IsOptional, IsUUID } from 'class-validator';
import type { IBaseEntity } from '../schema/table-definition';

/**
 * The managed columns every entity class shares, with their validation rules. The library sets
 * them, so create and update input never carries them; they are validated on whole rows only.
 */
export abstract class BaseEntity implements IBaseEntity {
  @IsUUID()
  id!: string;

  @IsISO8601({ strict: true })
  createdAt!: string;

  @IsISO8601({ strict: true })
  updatedAt!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  deletedAt?: string | null;
}
