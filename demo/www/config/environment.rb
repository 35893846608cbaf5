# frozen_string_literal: true

# The standard entry point (`railsess doctor demo/www` boots the app through it).
require_relative "../app"
