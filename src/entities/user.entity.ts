import { Exclude } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsEnum,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import type { IBaseEntity } from '../schema/table-definition';
import { BaseEntity } from './base.entity';
import { IsShortText } from './entity-rules';

/** What a user may do. */
export enum UserRole {
  User = 'User',
  Admin = 'Admin',
}

/** Whether a user may sign in. */
export enum UserStatus {
  Active = 'Active',
  Inactive = 'Inactive',
  Suspended = 'Suspended',
}

/** A row of `users`. Emails are stored lower-case. */
export interface IUserEntity extends IBaseEntity {
  email: string;
  firstName: string;
  lastName: string;
  passwordHash?: string | null;
  role: UserRole;
  status: UserStatus;
  emailVerified: boolean;
  phone?: string | null;
  avatarUrl?: string | null;
  stripeCustomerId?: string | null;
  lastLogin?: string | null;
}

/** A phone number in E.164 form: `+`, a country code that does not start with 0, at most 15 digits. */
export const E164_PHONE = /^\+[1-9]\d{1,14}$/;

/**
 * A user as the library returns it: the `users` row as a class with its validation rules.
 *
 * `passwordHash` never leaves the process by accident: the column is sensitive, so every provider
 * returns it as a non-enumerable property, absent from `util.inspect`, `console.log`,
 * `JSON.stringify`, `Object.keys` and spreads. For a user built by hand, `toJSON()` omits it too,
 * and `instanceToPlain` drops it (`@Exclude({ toPlainOnly: true })`, what Nest's
 * ClassSerializerInterceptor uses). Read it from the property directly.
 */
export class UserEntity extends BaseEntity implements IUserEntity {
  @IsEmail()
  @MaxLength(255)
  email!: string;

  // The columns are VARCHAR(100); one character is enough for a name.
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  firstName!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  lastName!: string;

  @Exclude({ toPlainOnly: true })
  @IsOptional()
  @IsString()
  passwordHash?: string | null;

  @IsEnum(UserRole)
  role!: UserRole;

  @IsEnum(UserStatus)
  status!: UserStatus;

  @IsBoolean()
  emailVerified!: boolean;

  // E.164 rather than IsPhoneNumber: one canonical stored form, and no locale-dependent parsing.
  @IsOptional()
  @IsString()
  @Matches(E164_PHONE, { message: '$property must be an E.164 phone number, e.g. +14155550123' })
  phone?: string | null;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2048)
  avatarUrl?: string | null;

  @IsOptional()
  @IsShortText()
  stripeCustomerId?: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  lastLogin?: string | null;

  /** The user's own properties without `passwordHash`: what `JSON.stringify` writes. */
  toJSON(): Omit<IUserEntity, 'passwordHash'> {
    const { passwordHash: _passwordHash, ...rest } = this;
    return rest;
  }
}
