# frozen_string_literal: true

# Loaded only by bin/spec-newer-rails: ActionView 7.1+ names Rails::HTML4/HTML5 sanitizers that
# Debian's rails-html-sanitizer 1.4 calls Rails::Html. The test controller renders JSON and text
# only, so the old sanitizer under the new names is enough.
require "rails-html-sanitizer"
module Rails
  HTML4 = Html unless const_defined?(:HTML4)
  HTML5 = Html unless const_defined?(:HTML5)
end

module Rails
  module Html
    # The 1.6 API ActionView 7.1+ asks for.
    class Sanitizer
      def self.html5_support? = false
      def self.best_supported_vendor = Rails::HTML4::Sanitizer
    end
  end
end
