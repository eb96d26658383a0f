import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

export class CreateTaskDto {
  @JSONSchema({ description: 'What needs doing, in a few words' })
  @IsString()
  @MinLength(3)
  @MaxLength(80)
  title!: string;

  @JSONSchema({ description: 'How urgent the task is' })
  @IsIn(['low', 'medium', 'high'])
  priority!: 'low' | 'medium' | 'high';
}
