# frozen_string_literal: true

module Railsess
  # Railsess' InvalidMessage / InvalidSignature are ActiveSupport's classes' subclasses when
  # ActiveSupport is loaded first, so existing `rescue ActiveSupport::...` clauses (ActionDispatch's
  # cookie jar among them) keep working. If ActiveSupport is loaded after railsess, errors are
  # raised as a bridge subclass of ActiveSupport's class that `rescue Railsess::...` still catches.
  module ErrorBridge
    def self.build(active_support_name)
      parent = Compat.active_support_const(active_support_name) || StandardError
      klass = Class.new(parent)
      klass.extend(self)
      klass.instance_variable_set(:@active_support_name, active_support_name)
      klass
    end

    # The class to raise now.
    def raisable
      return @bridge if @bridge

      as_class = Compat.active_support_const(@active_support_name)
      return self if as_class.nil? || self <= as_class

      @bridge = Class.new(as_class)
      const_set(:ActiveSupportCompatible, @bridge)
    end

    def ===(other)
      super || (!@bridge.nil? && @bridge === other) # rubocop:disable Style/CaseEquality
    end
  end
end
