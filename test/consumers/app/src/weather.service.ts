import { Injectable } from '@nestjs/common';
import { ActionArgs, CopilotAction } from 'nestjs-copilotkit';
import { WeatherQuery } from './weather-query.dto.js';

@Injectable()
export class WeatherService {
  @CopilotAction({ description: 'The current weather in a city.' })
  weather(@ActionArgs() query: WeatherQuery): { city: string; temperature: number; unit: string } {
    return { city: query.city, temperature: 21, unit: query.unit ?? 'celsius' };
  }
}
