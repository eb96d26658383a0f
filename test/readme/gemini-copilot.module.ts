import { Module } from '@nestjs/common';
import { BuiltInAgent, CopilotKitModule } from 'nestjs-copilotkit';

@Module({
  imports: [
    CopilotKitModule.forRoot({
      agents: {
        // The key comes from GEMINI_API_KEY (or GOOGLE_API_KEY); needs `@google/genai`.
        default: new BuiltInAgent({ model: 'google/gemini-2.5-flash', instructions: 'Be brief.' }),
        // The key comes from GROQ_API_KEY; the `openai` SDK talks to Groq's OpenAI-compatible API.
        fast: new BuiltInAgent({ model: 'groq:llama-3.3-70b-versatile', instructions: 'Be brief.' }),
      },
    }),
  ],
})
export class GeminiCopilotModule {}
