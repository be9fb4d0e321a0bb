; obs harvest tags for Rust. Same capture scheme as python-tags.scm.
; impl blocks are definitions so that their methods nest under them in outlines.

(function_item
  name: (identifier) @name) @definition.function
(function_signature_item
  name: (identifier) @name) @definition.method
(struct_item
  name: (type_identifier) @name) @definition.class
(union_item
  name: (type_identifier) @name) @definition.class
(enum_item
  name: (type_identifier) @name) @definition.enum
(trait_item
  name: (type_identifier) @name) @definition.interface
(type_item
  name: (type_identifier) @name) @definition.type
(mod_item
  name: (identifier) @name) @definition.module
(macro_definition
  name: (identifier) @name) @definition.macro
(const_item
  name: (identifier) @name) @definition.constant
(static_item
  name: (identifier) @name) @definition.constant
(impl_item
  type: [(type_identifier) @name
         (generic_type type: (type_identifier) @name)]) @definition.impl

(call_expression
  function: (identifier) @reference.call)
(call_expression
  function: (field_expression
    field: (field_identifier) @reference.call))
(call_expression
  function: (scoped_identifier
    name: (identifier) @reference.call))
(macro_invocation
  macro: (identifier) @reference.call)
(type_identifier) @reference.type
(use_list (identifier) @reference.import)
(use_declaration
  argument: (scoped_identifier
    name: (identifier) @reference.import))
