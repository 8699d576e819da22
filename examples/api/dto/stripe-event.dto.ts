import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/**
 * The parts of a Stripe event the example reads; the whole body is stored as the payload.
 * The signature is NOT checked (see docs): a real service must verify `Stripe-Signature` first.
 */
export class StripeEventDto {
  @IsString()
  @Matches(/^evt_[A-Za-z0-9]+$/, { message: 'id must be a Stripe event id (evt_...)' })
  id!: string;

  @IsString()
  @MaxLength(100)
  type!: string;

  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}
