"""The agency portal: templates for agency leads (questions, previews); the app comes later."""
