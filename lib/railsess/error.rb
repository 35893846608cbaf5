# frozen_string_literal: true

module Railsess
  # Base class of railsess' own errors (misuse, internal failures).
  class Error < StandardError; end
end
