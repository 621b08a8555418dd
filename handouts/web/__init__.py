"""The front desk in a browser: ``handouts serve``.

Routes read the form, call ``handouts.service`` and render a page; nothing
here renders, writes or delivers a handout by itself.
"""
