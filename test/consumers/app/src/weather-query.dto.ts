import { IsIn, IsOptional, IsString, Length } from 'class-validator';

export class WeatherQuery {
  @IsString()
  @Length(2, 60)
  city!: string;

  @IsOptional()
  @IsIn(['celsius', 'fahrenheit'])
  unit?: 'celsius' | 'fahrenheit';
}
