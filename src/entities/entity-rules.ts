import { IsString, MaxLength, MinLength } from 'class-validator';

/**
 * A property decorator for short identifiers and names (Stripe ids, product and price ids, event
 * types): a string of 1 to 255 characters. Combine with `@IsOptional()` for nullable columns.
 */
export function IsShortText(): PropertyDecorator {
  const rules = [IsString(), MinLength(1), MaxLength(255)];
  return (target, property) => {
    for (const rule of rules) rule(target, property);
  };
}
