# frozen_string_literal: true

module Railsess
  module RailsIntegration
    # Rails' JsonSerializer / :json cookie serializer, on Railsess::JSON.
    module JsonSerializer
      module_function

      def load(value) = Railsess::JSON.decode(value)
      def dump(value) = Railsess::JSON.encode(value)
    end
  end
end
